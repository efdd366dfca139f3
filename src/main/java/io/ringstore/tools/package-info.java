/**
 * Operator commands run by {@code bin/ringstore} ({@code status}, {@code leave}): a small HTTP client of a
 * node's {@code /admin} endpoints, with the report formatting kept in a pure class. An edge package: it
 * uses only {@code java.net.http} and Jackson and imports no other ringstore package, so it reads the
 * JSON contract of the HTTP API, not the node's classes.
 */
package io.ringstore.tools;
