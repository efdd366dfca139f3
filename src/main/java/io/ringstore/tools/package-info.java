/**
 * Operator commands run by {@code bin/ringstore}: {@code status} and {@code leave}, a small HTTP
 * client of a node's {@code /admin} endpoints with the report formatting kept in a pure class, and
 * {@code user}, which edits a users file; and how every command-line client ({@code check} and
 * {@code bench} too) reaches a node: {@code ClientAccess} (HTTP or HTTPS trusting {@code --cacert},
 * {@code ClientTls}) and {@code ClientCredentials} (HTTP Basic). An edge package: the HTTP commands
 * use only {@code java.net.http} and Jackson and read the JSON contract of the HTTP API, not the
 * node's classes; {@code user} shares the users file's format and password hashing with the node
 * through {@code io.ringstore.security}, its only ringstore import.
 */
package io.ringstore.tools;
