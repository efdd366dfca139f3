/**
 * The HTTP gateway: DESIGN.md's public contract ({@code /kv}, {@code /admin}, {@code /health}) on
 * Pekko HTTP, with strict input validation, JSON DTOs separate from actor messages, and
 * outcome-to-status mapping in one place.
 */
package io.ringstore.http;
