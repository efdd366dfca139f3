/**
 * Operator commands run by {@code bin/ringstore} ({@code status}, {@code leave}): a small HTTP client of a
 * node's {@code /admin} endpoints, with the report formatting kept in a pure class; and how every
 * command-line client ({@code check} and {@code bench} too) reaches a node: {@code ClientAccess} (HTTP or
 * HTTPS trusting {@code --cacert}, {@code ClientTls}) and {@code ClientCredentials} (HTTP Basic). An edge package: it
 * uses only {@code java.net.http} and Jackson and imports no other ringstore package, so it reads the
 * JSON contract of the HTTP API, not the node's classes.
 */
package io.ringstore.tools;
