package io.natter.edge.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Reads the JSON {@code {userId, status, lastSeen}} that the Lua scripts publish on {@code presence:events}. */
final class PresenceEventCodec {
    private record Wire(String userId, String status, long lastSeen) {}

    private final ObjectMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The transition in {@code json}; throws {@link IllegalArgumentException} on anything else. */
    Presence decode(String json) {
        try {
            Wire wire = mapper.readValue(json, Wire.class);
            if (wire.userId() == null || wire.status() == null) {
                throw new IllegalArgumentException("presence event without userId or status: " + json);
            }
            return new Presence(wire.userId(), OnlineStatus.valueOf(wire.status()), wire.lastSeen());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable presence event: " + json, e);
        }
    }
}
