/**
 * ringstore's settings as one immutable, validated record tree ({@link io.ringstore.config.RingstoreSettings})
 * built once from the {@code ringstore} configuration section; every default lives in
 * {@code reference.conf}, and nothing else in the code base reads configuration.
 */
package io.ringstore.config;
