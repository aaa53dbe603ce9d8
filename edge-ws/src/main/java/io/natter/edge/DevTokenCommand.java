package io.natter.edge;

import io.natter.edge.auth.HmacTokenSigner;
import java.time.Clock;
import java.time.Duration;

/** Prints a dev HS256 token for {@code <userId> [ttlMinutes]} with the configured secret, issuer and audience. */
public final class DevTokenCommand {
    private static final long DEFAULT_TTL_MINUTES = 60;

    private DevTokenCommand() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2 || args[0].isBlank()) {
            System.err.println("usage: DevTokenCommand <userId> [ttlMinutes]");
            System.exit(2);
        }
        long ttlMinutes = args.length == 2 ? Long.parseLong(args[1]) : DEFAULT_TTL_MINUTES;
        EdgeConfig config = EdgeConfig.fromEnv(System.getenv());
        System.out.println(token(config, args[0], Duration.ofMinutes(ttlMinutes), Clock.systemUTC()));
    }

    /** The token {@code main} prints. */
    static String token(EdgeConfig config, String userId, Duration ttl, Clock clock) {
        return new HmacTokenSigner(config.jwtSecret(), config.jwtIssuer(), config.jwtAudience(), clock).sign(userId, ttl);
    }
}
