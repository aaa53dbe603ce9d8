package io.natter.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The few top-level fields of a server frame the generator looks at, read with Jackson's streaming parser (it runs
 * for every copy, so no tree is built). Absent fields are null.
 */
record ServerFrame(String type, String roomId, String content, String clientMsgId, String code, String ref) {

    /** Parses one text frame; throws {@link IOException} if it is not a JSON object. */
    static ServerFrame parse(JsonFactory json, String text) throws IOException {
        String type = null;
        String roomId = null;
        String content = null;
        String clientMsgId = null;
        String code = null;
        String ref = null;
        try (JsonParser parser = json.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object: " + abbreviate(text));
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    parser.skipChildren();
                    continue;
                }
                String scalar = value == JsonToken.VALUE_NULL ? null : parser.getText();
                switch (field) {
                    case "type" -> type = scalar;
                    case "roomId" -> roomId = scalar;
                    case "content" -> content = scalar;
                    case "clientMsgId" -> clientMsgId = scalar;
                    case "code" -> code = scalar;
                    case "ref" -> ref = scalar;
                    default -> { }
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new IOException("truncated JSON object: " + abbreviate(text));
            }
        }
        return new ServerFrame(type, roomId, content, clientMsgId, code, ref);
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }
}
