package io.natter.edge.error;

/** JSON body of every REST error: {@code {"code","message"}}. */
public record ErrorBody(String code, String message) {}
