package io.natter.topologies.query;

/** JSON body of every error of the query API. */
public record ErrorBody(String code, String message) {}
