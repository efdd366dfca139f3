/**
 * The Java API for JVM apps: {@link io.ringstore.client.RingstoreClient} (a CompletionStage facade)
 * and the public {@link io.ringstore.client.Ringstore} message protocol for actor apps, both served
 * by a node-local {@link io.ringstore.client.RequestGateway} that spawns one coordinator per
 * request. Every request, these and the HTTP routes' alike, is checked once where it enters, by
 * {@link io.ringstore.client.RequestValidation}.
 */
package io.ringstore.client;
