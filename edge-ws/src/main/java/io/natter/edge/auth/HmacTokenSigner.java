package io.natter.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Mints HS256 tokens the way {@link JwtAuthenticator#hs256} expects them; for dev tokens and tests. */
public final class HmacTokenSigner {
    private final MACSigner signer;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    public HmacTokenSigner(String secret, String issuer, String audience, Clock clock) {
        try {
            this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("HS256 secret too short: " + e.getMessage(), e);
        }
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    /** A token for {@code userId} valid from now for {@code ttl}. */
    public String sign(String userId, Duration ttl) {
        Instant now = clock.instant();
        return sign(new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(userId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .build());
    }

    /** Signs arbitrary claims, e.g. to build deliberately bad tokens in tests. */
    public String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }
}
