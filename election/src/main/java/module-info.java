/**
 * Baton's advisory locks ({@code dev.baton.lock}) and leader election ({@code dev.baton.election}) on PostgreSQL.
 * {@code dev.baton.internal} holds what both share; it is exported only to Baton's own modules.
 */
module dev.baton.election {
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    requires static transitive com.codahale.metrics;
    requires static com.zaxxer.hikari;
    requires static com.google.errorprone.annotations;

    exports dev.baton;
    exports dev.baton.lock;
    exports dev.baton.election;
    exports dev.baton.metrics;
    exports dev.baton.internal to
            dev.baton.quartz;
}
