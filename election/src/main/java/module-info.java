/** Baton's advisory locks and leader election on PostgreSQL. Only {@code dev.baton.election} is API. */
module dev.baton.election {
    requires transitive java.sql;
    requires org.slf4j;
    requires static transitive com.codahale.metrics;

    exports dev.baton.election;
}
