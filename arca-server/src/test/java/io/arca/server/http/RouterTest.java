package io.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router()
            .add("GET", "/", Router.Access.PUBLIC, false, r -> null)
            .add("GET", "/api/v1/backups", Router.Access.READ, true, r -> null)
            .add("GET", "/api/v1/backups/{id}", Router.Access.READ, true, r -> null)
            .add("POST", "/api/v1/subjects/{subject}/backup", Router.Access.OPERATOR, true, r -> null);

    @Test
    void matchesTemplatesAndTheirParameters() {
        Router.Match m = router.match("GET", Router.split("/api/v1/backups/abc"));
        assertThat(m.route().template()).isEqualTo("/api/v1/backups/{id}");
        assertThat(m.parameters()).isEqualTo(Map.of("id", "abc"));
        assertThat(router.match("POST", List.of("api", "v1", "subjects", "a b/c", "backup")).parameters())
                .isEqualTo(Map.of("subject", "a b/c"));
        assertThat(router.match("GET", Router.split("/")).route().template()).isEqualTo("/");
    }

    @Test
    void noRouteIs404AndAnotherMethodIs405() {
        assertThatThrownBy(() -> router.match("GET", Router.split("/api/v1/backups/")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> router.match("GET", Router.split("/api/v1")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("ARCA-1700");
                });
        assertThatThrownBy(() -> router.match("DELETE", Router.split("/api/v1/backups/x")))
                .isInstanceOfSatisfying(Router.MethodNotAllowed.class, e -> {
                    assertThat(e.status()).isEqualTo(405);
                    assertThat(e.allow()).isEqualTo("GET");
                });
    }

    @Test
    void aLongPathIsClippedInTheMessage() {
        String longPath = "/" + "x".repeat(500);
        assertThatThrownBy(() -> router.match("GET", Router.split(longPath)))
                .hasMessageEndingWith("...'").hasMessageNotContaining("x".repeat(300));
    }
}
