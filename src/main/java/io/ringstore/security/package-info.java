/**
 * Who may call the HTTP API (issue 11, Step 6): users with salted, slow PBKDF2 password hashes in a
 * users file the node reloads without a restart ({@link io.ringstore.security.UsersFile}), four
 * roles ({@link io.ringstore.security.Role}), the access each endpoint needs ({@link
 * io.ringstore.security.AccessPolicy}), and the verification of HTTP Basic credentials off the
 * request threads, with the same work for an unknown user as for a wrong password ({@link
 * io.ringstore.security.Authenticator}). Plain Java: the gateway wires it into its routes.
 */
package io.ringstore.security;
