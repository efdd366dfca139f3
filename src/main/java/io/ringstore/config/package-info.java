/**
 * ringstore's settings as one immutable, validated record tree ({@link
 * io.ringstore.config.RingstoreSettings}) built once from the {@code ringstore} configuration
 * section, and the start-up check of the node's exposure against its protection ({@link
 * io.ringstore.config.SecurityPosture}); every default lives in {@code reference.conf}, and nothing
 * else in the code base reads configuration.
 */
package io.ringstore.config;
