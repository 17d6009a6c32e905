/**
 * Baton's Quartz guard: each job on one instance, each scheduled firing once. Only {@code dev.baton.quartz} is API.
 * Election, Quartz and (optional) Metrics types appear in its signatures, so they are required transitively.
 */
module dev.baton.quartz {
    requires transitive dev.baton.election;
    requires transitive org.quartz;
    requires org.slf4j;
    requires static transitive com.codahale.metrics;
    requires static com.google.errorprone.annotations;

    exports dev.baton.quartz;
}
