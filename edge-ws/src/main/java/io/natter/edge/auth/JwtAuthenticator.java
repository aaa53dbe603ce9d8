package io.natter.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
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
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Verifies bearer JWTs: signature by the key selector (which also pins the accepted algorithms, so
 * {@code alg=none} and key confusion are refused), then {@code iss}, {@code aud}, {@code exp}, {@code nbf}
 * and a present {@code sub}. Either {@link #hs256} (a shared secret) or {@link #jwks} (public keys from a URL).
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

    /** Asymmetric algorithms {@link #jwks} may accept; HMAC and none never (key confusion). */
    public static final Set<String> JWKS_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512");

    /**
     * Accepts only tokens signed with one of {@code algorithms} by a key of the JWK set at {@code jwksUrl}; the set is
     * cached and refreshed by nimbus's {@link JWKSource} (re-fetched on an unknown {@code kid}, rate limited).
     */
    public static JwtAuthenticator jwks(URI jwksUrl, Collection<String> algorithms, String issuer, String audience) {
        Set<JWSAlgorithm> accepted = new LinkedHashSet<>();
        for (String name : algorithms) {
            if (!JWKS_ALGORITHMS.contains(name)) {
                throw new IllegalArgumentException("JWKS tokens cannot use algorithm " + name);
            }
            accepted.add(JWSAlgorithm.parse(name));
        }
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("JWKS needs at least one algorithm");
        }
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(jwksUrl.toURL()).build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("invalid JWKS URL " + jwksUrl, e);
        }
        return new JwtAuthenticator(new JWSVerificationKeySelector<>(accepted, keys), issuer, audience);
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
