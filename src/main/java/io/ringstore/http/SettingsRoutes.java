package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.ringstore.config.RingstoreSettings;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /settings}: the cluster settings a client needs and should not repeat by hand (issue
 * 16): N, the default R and W, the default request timeout, the partition count, and the request
 * limits ({@code io.ringstore.client.HttpStoreClient} checks input against them before it sends, as
 * the member client does). Role {@code read} (AccessPolicy). The answer is the node's
 * configuration, fixed while it runs, so it is built once.
 */
final class SettingsRoutes {
  private final Dto.Settings settings;

  SettingsRoutes(RingstoreSettings settings) {
    RingstoreSettings.RequestSettings requests = settings.requests();
    this.settings =
        new Dto.Settings(
            settings.replication().n(),
            settings.replication().r(),
            settings.replication().w(),
            requests.timeout().toMillis(),
            settings.ring().partitions(),
            requests.maxTimeout().toMillis(),
            requests.maxKeyBytes(),
            requests.maxValueBytes(),
            requests.maxContextChars(),
            requests.maxContextActors());
  }

  Route route() {
    return get(() -> path("settings", () -> complete(Json.response(StatusCodes.OK, settings))));
  }
}
