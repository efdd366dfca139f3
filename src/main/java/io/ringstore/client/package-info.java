/**
 * The Java API for JVM apps: {@link io.ringstore.client.RingstoreClient} (a CompletionStage facade) and
 * the public {@link io.ringstore.client.Ringstore} message protocol for actor apps, both served by a
 * node-local {@link io.ringstore.client.RequestGateway} that spawns one coordinator per request.
 */
package io.ringstore.client;
