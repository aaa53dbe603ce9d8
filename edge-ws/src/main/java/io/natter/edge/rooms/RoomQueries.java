package io.natter.edge.rooms;

import io.natter.edge.error.AccessDeniedException;
import io.natter.edge.frames.ClientFrame;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.query.MessagePage;
import io.natter.edge.query.RoomQueryClient;
import io.natter.edge.query.RoomSummary;
import io.natter.edge.query.RoomView;
import java.util.List;

/**
 * Reads of room state and history for members only. The edge checks membership itself from the room state
 * the topology serves, so a guessed room id yields ROOM_NOT_FOUND (private or missing) or NOT_A_MEMBER
 * (public), never data.
 */
public final class RoomQueries {
    /** HISTORY page size when the client names none. */
    public static final int DEFAULT_HISTORY_LIMIT = 50;
    /** Largest HISTORY page; larger requests are cut to it. */
    public static final int MAX_HISTORY_LIMIT = 200;

    private final RoomQueryClient client;

    public RoomQueries(RoomQueryClient client) {
        this.client = client;
    }

    /** The room's state if {@code userId} is a member; else {@link AccessDeniedException}. */
    public RoomView room(String userId, String roomId) {
        RoomView room = client.room(roomId).orElseThrow(() -> AccessDeniedException.roomNotFound(roomId));
        if (!room.hasMember(userId)) {
            throw room.isPublic() ? AccessDeniedException.notAMember(roomId) : AccessDeniedException.roomNotFound(roomId);
        }
        return room;
    }

    /** The rooms {@code userId} is a member of. */
    public List<RoomSummary> rooms(String userId) {
        return client.roomsOf(userId);
    }

    /** A HISTORY page for a member: the newest messages before {@code beforeSeq}, ascending. */
    public ServerFrame.History history(String userId, ClientFrame.History request) {
        room(userId, request.roomId());
        int limit = request.limit() == null ? DEFAULT_HISTORY_LIMIT : Math.min(request.limit(), MAX_HISTORY_LIMIT);
        MessagePage page = client.messagesBefore(request.roomId(), request.beforeSeq(), limit)
                .orElseThrow(() -> AccessDeniedException.roomNotFound(request.roomId()));
        return new ServerFrame.History(request.roomId(),
                page.messages().stream().map(HistoryFrames::historyMessage).toList(), page.hasMore());
    }

    /**
     * Messages after {@code afterSeq} for a caller that already checked membership with {@link #room}
     * (a RESUME or a live gap fill).
     */
    public MessagePage messagesAfter(String roomId, long afterSeq, int limit) {
        return client.messagesAfter(roomId, afterSeq, limit).orElseThrow(() -> AccessDeniedException.roomNotFound(roomId));
    }
}
