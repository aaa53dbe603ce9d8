package io.natter.edge.session;

/** Told of every room membership change the edge reads (every edge reads them all). */
public interface MembershipListener {
    /** Listens to nothing. */
    MembershipListener NONE = new MembershipListener() {
        @Override
        public void memberJoined(String roomId, String userId) { }

        @Override
        public void memberLeft(String roomId, String userId) { }
    };

    /** {@code userId} is now a member of {@code roomId} (also each member of a new room). */
    void memberJoined(String roomId, String userId);

    /** {@code userId} is no longer a member of {@code roomId}. */
    void memberLeft(String roomId, String userId);
}
