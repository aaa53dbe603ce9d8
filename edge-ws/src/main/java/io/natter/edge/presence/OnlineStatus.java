package io.natter.edge.presence;

/** Whether a user has at least one open connection on some edge. */
public enum OnlineStatus {
    ONLINE,
    OFFLINE
}
