package io.natter.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Fetches one token per user up front, so handshakes are not slowed by token commands. */
final class Tokens {
    private static final int COMMANDS_AT_ONCE = 8;

    private Tokens() {}

    /** Tokens by user; a token command runs for up to 8 users at once (fewer if {@code concurrency} says so). */
    static Map<String, String> fetch(TokenSource source, List<String> users, int concurrency)
            throws IOException, InterruptedException {
        Map<String, String> tokens = new LinkedHashMap<>();
        if (source instanceof TokenSource.Minted minted) {
            for (String user : users) {
                tokens.put(user, minted.token(user));
            }
            return tokens;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(COMMANDS_AT_ONCE, concurrency),
                LoadRun.named("load-token"));
        try {
            List<Future<String>> pending = new ArrayList<>();
            for (String user : users) {
                pending.add(pool.submit(() -> source.token(user)));
            }
            for (int i = 0; i < users.size(); i++) {
                tokens.put(users.get(i), pending.get(i).get());
            }
            return tokens;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("token source failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
