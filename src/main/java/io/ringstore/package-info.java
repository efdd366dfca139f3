/**
 * ringstore, a Dynamo-style distributed key-value store on Apache Pekko: the node's entry point
 * ({@link io.ringstore.Main}), its configuration layers and its wiring ({@link
 * io.ringstore.RingstoreNode}).
 */
package io.ringstore;
