package io.arca.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import io.arca.core.repo.RepositoryJson;
import org.junit.jupiter.api.Test;

class SubjectTest {
    @Test
    void partsAreDecodedAndTheIdentityLeavesOutTheAuthority() {
        Subject s = Subject.of("k8s", "arn:aws:eks:eu-west-1:1:cluster/prod", "shop");
        assertThat(s.uri()).isEqualTo("k8s://arn:aws:eks:eu-west-1:1:cluster%2Fprod/shop");
        assertThat(s.scheme()).isEqualTo("k8s");
        assertThat(s.authority()).isEqualTo("arn:aws:eks:eu-west-1:1:cluster/prod");
        assertThat(s.path()).isEqualTo("/shop");
        assertThat(s.name()).isEqualTo("shop");
        assertThat(s.identity()).isEqualTo("k8s:/shop");
        assertThat(Subject.of("k8s", "other-context", "shop").identity()).isEqualTo(s.identity());
    }

    @Test
    void pathsKeepTheirSegmentsAndEncodeTheRest() {
        Subject s = Subject.of("files", "web-1", "/srv/my app/secrets");
        assertThat(s.uri()).isEqualTo("files://web-1/srv/my%20app/secrets");
        assertThat(s.path()).isEqualTo("/srv/my app/secrets");
        assertThat(s.name()).isEqualTo("secrets");
        assertThat(Subject.of("postgresql", "db:5432", "").uri()).isEqualTo("postgresql://db:5432");
        assertThat(Subject.of("postgresql", "db:5432", "").name()).isEmpty();
        assertThat(Subject.of("postgresql", "", "app").uri()).isEqualTo("postgresql:///app");
        assertThat(Subject.of("files", "h", "/ü").name()).isEqualTo("ü");
    }

    @Test
    void jsonIsTheUriAndABadUriIsRefused() throws Exception {
        Subject s = Subject.of("qdrant", "vectors:6333", "products");
        String json = RepositoryJson.mapper().writeValueAsString(s);
        assertThat(json).isEqualTo("\"qdrant://vectors:6333/products\"");
        assertThat(RepositoryJson.mapper().readValue(json, Subject.class)).isEqualTo(s);
        for (String bad : new String[] {"no-scheme", "://x", "Q://x", "k8s://a b/c", "k8s://a/b?c", "k8s://a/\u00e9"}) {
            assertThatThrownBy(() -> new Subject(bad)).as(bad).isInstanceOf(UsageException.class);
        }
    }
}
