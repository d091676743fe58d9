package io.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiTokensTest {
    @Test
    void rolesFromTheEnvironmentOnePerLine() {
        ApiTokens tokens = ApiTokens.load(new ArcaConfig.Tokens(null, "R", null, "O"),
                Map.of("R", "r1\r\n# a comment\n\n  r2 \n", "O", "o1"));
        assertThat(tokens.configured()).isTrue();
        assertThat(tokens.roleOf("r1")).hasValue(ApiTokens.Role.READ);
        assertThat(tokens.roleOf("r2")).hasValue(ApiTokens.Role.READ);
        assertThat(tokens.roleOf("o1")).hasValue(ApiTokens.Role.OPERATOR);
        assertThat(tokens.roleOf("# a comment")).isEmpty();
        assertThat(tokens.roleOf("")).isEmpty();
        assertThat(tokens.roleOf("r1 ")).isEmpty();
        assertThat(tokens.roleOf("R1")).isEmpty();
    }

    @Test
    void aTokenInBothRolesIsAnOperator() {
        ApiTokens tokens = ApiTokens.load(new ArcaConfig.Tokens(null, "R", null, "O"), Map.of("R", "same", "O", "same"));
        assertThat(tokens.roleOf("same")).hasValue(ApiTokens.Role.OPERATOR);
    }

    @Test
    void rolesAllow() {
        assertThat(ApiTokens.Role.OPERATOR.allows(ApiTokens.Role.READ)).isTrue();
        assertThat(ApiTokens.Role.OPERATOR.allows(ApiTokens.Role.OPERATOR)).isTrue();
        assertThat(ApiTokens.Role.READ.allows(ApiTokens.Role.READ)).isTrue();
        assertThat(ApiTokens.Role.READ.allows(ApiTokens.Role.OPERATOR)).isFalse();
    }

    @Test
    void noneConfigured() {
        assertThat(ApiTokens.load(null, Map.of()).configured()).isFalse();
        assertThat(ApiTokens.load(new ArcaConfig.Tokens(null, null, null, null), Map.of()).configured()).isFalse();
        assertThat(ApiTokens.none().roleOf("anything")).isEmpty();
    }

    @Test
    void anEmptyOrUnsetSourceIsRefusedWithoutSayingWhatItHeld() {
        assertThatThrownBy(() -> ApiTokens.load(new ArcaConfig.Tokens(null, null, null, "O"), Map.of("O", " \n# x\n")))
                .isInstanceOf(UsageException.class)
                .hasMessage("server.tokens.operatorEnv (environment variable O) holds no token");
        assertThatThrownBy(() -> ApiTokens.load(new ArcaConfig.Tokens(null, "R", null, null), Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessage("server.tokens.readEnv: environment variable R is not set");
    }
}
