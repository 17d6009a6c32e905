package dev.baton.spring.boot.autoconfigure;

import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;

/** Baton has somewhere to connect: a single {@code DataSource}, or {@code baton.datasource.url}. */
final class OnBatonConnection extends AnyNestedCondition {
    OnBatonConnection() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnSingleCandidate(DataSource.class)
    static final class ApplicationDataSource {}

    @ConditionalOnProperty("baton.datasource.url")
    static final class DedicatedConnection {}
}
