package io.natter.bench;

import io.natter.edge.auth.HmacTokenSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Where each user's JWT comes from. */
sealed interface TokenSource {

    /** A token for {@code user}; may block (a command runs). */
    String token(String user) throws IOException, InterruptedException;

    /** The source named by the options. */
    static TokenSource of(LoadOptions.TokenSpec spec, Duration ttl, Path workDir) {
        return switch (spec) {
            case LoadOptions.TokenSpec.Hmac hmac -> new Minted(new HmacTokenSigner(hmac.secret(), hmac.issuer(),
                    hmac.audience(), Clock.systemUTC()), ttl);
            case LoadOptions.TokenSpec.Command command -> new FromCommand(command.template(), workDir);
        };
    }

    /** HS256 tokens signed here, the way the edge's HS256 mode checks them. */
    record Minted(HmacTokenSigner signer, Duration ttl) implements TokenSource {
        @Override
        public String token(String user) {
            return signer.sign(user, ttl);
        }
    }

    /** Runs {@code sh -c <template with {user} replaced>} and takes the last non-blank line of its output. */
    record FromCommand(String template, Path workDir) implements TokenSource {
        private static final long TIMEOUT_SECONDS = 60;

        @Override
        public String token(String user) throws IOException, InterruptedException {
            String command = template.replace(LoadOptions.USER_PLACEHOLDER, user);
            Process process = new ProcessBuilder(List.of("sh", "-c", command)).directory(workDir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("token command failed for " + user + ": " + command);
            }
            return out.lines().map(String::strip).filter(line -> !line.isEmpty()).reduce((a, b) -> b)
                    .orElseThrow(() -> new IOException("token command printed nothing for " + user + ": " + command));
        }
    }
}
