package io.natter.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Who is where: active client i is in room {@code i mod rooms} at member slot {@code i / rooms}; the extra clients
 * (stalled, then observers) are members of every room after its active members. User and room ids carry the run id,
 * so runs against one long-lived stack never share a room.
 */
record Placement(String runId, int clients, int rooms, int stalled, int observers) {

    Placement {
        if (!runId.matches("[A-Za-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("run id must be 1-40 letters, digits or dashes: " + runId);
        }
        if (clients < 1 || rooms < 1 || rooms > clients || stalled < 0 || observers < 0) {
            throw new IllegalArgumentException("bad placement: clients " + clients + ", rooms " + rooms
                    + ", stalled " + stalled + ", observers " + observers);
        }
    }

    int roomOf(int client) {
        return client % rooms;
    }

    /** The client's index among its room's active members, which is also its receipt slot in the ledger. */
    int slotOf(int client) {
        return client / rooms;
    }

    int activeMembers(int room) {
        return (clients - room + rooms - 1) / rooms;
    }

    String roomId(int room) {
        return runId + "-r" + room;
    }

    String activeUser(int client) {
        return runId + "-u" + client;
    }

    String stalledUser(int k) {
        return runId + "-s" + k;
    }

    String observerUser(int k) {
        return runId + "-o" + k;
    }

    /** The room's owner: its first active member. */
    String owner(int room) {
        return activeUser(room);
    }

    /** Every member of the room: its active members in slot order, then the stalled clients, then the observers. */
    List<String> members(int room) {
        List<String> members = new ArrayList<>();
        for (int client = room; client < clients; client += rooms) {
            members.add(activeUser(client));
        }
        for (int k = 0; k < stalled; k++) {
            members.add(stalledUser(k));
        }
        for (int k = 0; k < observers; k++) {
            members.add(observerUser(k));
        }
        return members;
    }
}
