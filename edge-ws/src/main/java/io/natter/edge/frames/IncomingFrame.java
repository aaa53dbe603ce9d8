package io.natter.edge.frames;

/** A decoded client frame plus the optional {@code id} the client put on it, echoed as ERROR.ref. */
public record IncomingFrame(ClientFrame frame, String requestId) {}
