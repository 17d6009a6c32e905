/** A throwaway PostgreSQL server for tests and demos. */
module dev.baton.testkit {
    requires transitive java.sql;
    requires java.naming;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    requires static transitive org.junit.jupiter.api;
    requires static com.google.errorprone.annotations;

    exports dev.baton.testkit;
}
