package io.natter.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.natter.edge.error.UnauthorizedException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Set;

/**
 * Verifies bearer JWTs: signature by the key selector (which also pins the accepted algorithms, so
 * {@code alg=none} and key confusion are refused), then {@code iss}, {@code aud}, {@code exp}, {@code nbf}
 * and a present {@code sub}. A JWKS selector (RS256/ES256) plugs in beside {@link #hs256}.
 */
public final class JwtAuthenticator {
    private final DefaultJWTProcessor<SecurityContext> processor;

    public JwtAuthenticator(JWSKeySelector<SecurityContext> keySelector, String issuer, String audience) {
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(keySelector);
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                Set.of(JWTClaimNames.SUBJECT, JWTClaimNames.EXPIRATION_TIME)));
    }

    /** Accepts only HS256 tokens signed with {@code secret}. */
    public static JwtAuthenticator hs256(String secret, String issuer, String audience) {
        JWSKeySelector<SecurityContext> selector = new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
                new ImmutableSecret<>(secret.getBytes(StandardCharsets.UTF_8)));
        return new JwtAuthenticator(selector, issuer, audience);
    }

    /** The token's user, or {@link UnauthorizedException} saying why it was refused. */
    public AuthenticatedUser authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new UnauthorizedException("missing bearer token");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new UnauthorizedException("malformed token", e);
        } catch (BadJOSEException | JOSEException e) {
            throw new UnauthorizedException("invalid token: " + e.getMessage(), e);
        }
        if (claims.getSubject().isBlank()) {
            throw new UnauthorizedException("invalid token: blank sub");
        }
        return new AuthenticatedUser(claims.getSubject(), claims.getExpirationTime().toInstant());
    }
}
