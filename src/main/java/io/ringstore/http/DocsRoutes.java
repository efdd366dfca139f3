package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResourceDirectory;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The API's contract and its browser: {@code GET /openapi.yaml} (the OpenAPI 3 document of every
 * route, {@code src/main/resources/openapi.yaml}, as {@code application/yaml}) and {@code GET
 * /docs} (Swagger UI from its webjar, loading {@code /openapi.yaml}; its files under {@code
 * /docs/…}, all from the jar, nothing from the internet). Read-only: the guards give them the
 * access of {@code /metrics} (AccessPolicy).
 */
final class DocsRoutes {
  /** The document on the classpath. */
  static final String SPEC_RESOURCE = "openapi.yaml";

  /** RFC 9512's media type for YAML; the document is UTF-8 text. */
  static final ContentType YAML =
      MediaTypes.customBinary("application", "yaml", true).toContentType();

  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  private static final String PAGES = "ringstore-docs/";
  private static final ContentType.WithCharset JAVASCRIPT =
      MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8);

  private final HttpResponse spec;
  private final HttpResponse index;
  private final HttpResponse initializer;
  private final String swaggerUi;

  /** Reads the document and the pages once: a jar without them fails here, at start. */
  DocsRoutes() {
    this.spec =
        HttpResponse.create()
            .withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(YAML, resource(SPEC_RESOURCE)));
    this.index =
        HttpResponse.create()
            .withStatus(StatusCodes.OK)
            .withEntity(
                HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, resource(PAGES + "index.html")));
    this.initializer =
        HttpResponse.create()
            .withStatus(StatusCodes.OK)
            .withEntity(
                HttpEntities.create(JAVASCRIPT, resource(PAGES + "swagger-initializer.js")));
    this.swaggerUi = WEBJAR + webjarVersion() + "/";
  }

  Route route() {
    return get(
        () ->
            concat(
                path("openapi.yaml", () -> complete(spec)),
                pathPrefix(
                    "docs",
                    () ->
                        concat(
                            pathEndOrSingleSlash(() -> complete(index)),
                            path("index.html", () -> complete(index)),
                            // ours, not the webjar's (which loads a demo document from the
                            // internet)
                            path("swagger-initializer.js", () -> complete(initializer)),
                            // a missing file is rejected: the gateway's JSON 404; ".." segments are
                            // refused
                            getFromResourceDirectory(swaggerUi)))));
  }

  /** The Swagger UI webjar's version, from its Maven metadata (the folder its files live in). */
  private static String webjarVersion() {
    Properties properties = new Properties();
    try (InputStream in = open(WEBJAR_POM)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + WEBJAR_POM, e);
    }
    String version = properties.getProperty("version");
    if (version == null || version.isBlank()) {
      throw new IllegalStateException(WEBJAR_POM + " names no version");
    }
    return version.trim();
  }

  private static byte[] resource(String name) {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the resource " + name, e);
    }
  }

  private static InputStream open(String name) {
    InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("the resource " + name + " is not in the jar");
    }
    return in;
  }
}
