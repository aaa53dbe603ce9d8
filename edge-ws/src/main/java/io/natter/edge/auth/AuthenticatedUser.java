package io.natter.edge.auth;

import java.time.Instant;

/** The verified subject of a token. */
public record AuthenticatedUser(String userId, Instant expiresAt) {}
