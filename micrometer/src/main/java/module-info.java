/** Micrometer meters for Baton, behind Baton's public metrics seam ({@code dev.baton.metrics}). */
module dev.baton.micrometer {
    requires transitive dev.baton.election;
    requires transitive micrometer.core;
    requires static transitive dev.baton.quartz;

    exports dev.baton.micrometer;
}
