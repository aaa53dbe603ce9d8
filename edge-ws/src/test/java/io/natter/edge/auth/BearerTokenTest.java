package io.natter.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {
    @Test
    void prefersTheAuthorizationHeaderWithAnyCaseScheme() {
        assertThat(BearerToken.from("Bearer abc", "q")).isEqualTo("abc");
        assertThat(BearerToken.from("bearer  abc ", null)).isEqualTo("abc");
    }

    @Test
    void fallsBackToTheQueryParameter() {
        assertThat(BearerToken.from(null, "q")).isEqualTo("q");
        assertThat(BearerToken.from("Basic dXNlcg==", "q")).isEqualTo("q");
        assertThat(BearerToken.from(null, null)).isNull();
    }
}
