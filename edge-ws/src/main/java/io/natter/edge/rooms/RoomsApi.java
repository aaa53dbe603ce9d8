package io.natter.edge.rooms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.natter.edge.auth.Authentication;
import io.natter.edge.error.InvalidRequestException;

/** REST routes for rooms: decode the body, call {@link RoomService} or {@link RoomQueries}, encode the answer. */
public final class RoomsApi {
    private final RoomService rooms;
    private final RoomQueries queries;
    private final ObjectMapper mapper;

    public RoomsApi(RoomService rooms, RoomQueries queries, ObjectMapper mapper) {
        this.rooms = rooms;
        this.queries = queries;
        this.mapper = mapper;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/rooms", this::createRoom);
        routes.get("/api/rooms", this::listRooms);
        routes.get("/api/rooms/{roomId}", this::getRoom);
        routes.post("/api/rooms/{roomId}/members", this::addMember);
    }

    private void listRooms(Context ctx) {
        ctx.json(queries.rooms(Authentication.user(ctx).userId()));
    }

    private void getRoom(Context ctx) {
        ctx.json(queries.room(Authentication.user(ctx).userId(), ctx.pathParam("roomId")));
    }

    private void createRoom(Context ctx) {
        String roomId = rooms.createRoom(Authentication.user(ctx).userId(), body(ctx, CreateRoomRequest.class));
        ctx.status(201).json(new RoomCreated(roomId));
    }

    private void addMember(Context ctx) {
        ctx.json(rooms.addMember(Authentication.user(ctx).userId(), ctx.pathParam("roomId"),
                body(ctx, AddMemberRequest.class)));
    }

    private <T> T body(Context ctx, Class<T> type) {
        try {
            T value = mapper.readValue(ctx.body(), type);
            if (value == null) {
                throw new InvalidRequestException("a JSON object body is required");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("invalid JSON body: " + e.getOriginalMessage());
        }
    }
}
