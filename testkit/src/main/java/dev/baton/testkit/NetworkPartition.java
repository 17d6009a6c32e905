package dev.baton.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network partition for tests: a network namespace joined to this host by a veth pair, so that a child process run
 * inside it ({@link #command}) reaches a server on the host only over that pair, and {@link #cut()} silences their
 * traffic (both ends see nothing: no reset, no error) until {@link #heal()}.
 *
 * <p>Addresses: a {@code /30} from the benchmarking range {@code 198.18.0.0/15} (RFC 2544), checked against every
 * address and route on the host before it is used; {@link #hostAddress()} (host side, where a test server listens
 * besides loopback, see {@link PostgresServer.Builder#trustHost}) and {@link #childAddress()} (inside). A blackhole route
 * for the {@code /30} stays under the link's own route, so while the link is down no packet for it can leave by another
 * interface: traffic goes only to loopback and to these two addresses.
 *
 * <p>Linux, root and {@code ip} (iproute2) only: {@link #unsupportedReason()} says why not elsewhere, for a test's
 * {@code Assumptions}. {@link #close()} deletes the namespace, the links and the route, also from a JVM shutdown hook
 * if the test never gets there; use it in try-with-resources. Not thread-safe.
 */
public final class NetworkPartition implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetworkPartition.class);
    private static final long TIMEOUT_S = 30;

    private final String namespace;
    private final String hostLink;
    private final String childLink;
    private final String network; // a.b.c.d/30
    private final String hostAddress;
    private final String childAddress;
    private final Thread cleanupHook;
    private boolean closed;

    private NetworkPartition(String namespace, String hostLink, String childLink, int base) {
        this.namespace = namespace;
        this.hostLink = hostLink;
        this.childLink = childLink;
        this.network = ip(base) + "/30";
        this.hostAddress = ip(base + 1);
        this.childAddress = ip(base + 2);
        this.cleanupHook = new Thread(this::removeQuietly, "baton-partition-cleanup-" + namespace);
    }

    /** Why partitions cannot be made here (not Linux, not root, no {@code ip}), or empty if they can. */
    public static Optional<String> unsupportedReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("network namespaces need Linux, this is " + System.getProperty("os.name"));
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("network namespaces need root, this JVM runs as " + System.getProperty("user.name"));
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip"))
                && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            return Optional.of("the ip command (iproute2) is not installed; apt-get install iproute2");
        }
        return Optional.empty();
    }

    /**
     * Makes a namespace and a veth pair with a free {@code /30}, the link up.
     *
     * @throws IllegalStateException if partitions are unsupported here or an {@code ip} command fails (what was made
     *     is removed again)
     */
    public static NetworkPartition create() {
        unsupportedReason().ifPresent(why -> {
            throw new IllegalStateException("Cannot make a network partition: " + why);
        });
        String id = Long.toString(ProcessHandle.current().pid() % 100_000, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        NetworkPartition p = new NetworkPartition("baton-np-" + id, "bnh" + id, "bnc" + id, freeNetwork());
        Runtime.getRuntime().addShutdownHook(p.cleanupHook);
        try {
            p.ip("netns", "add", p.namespace);
            p.ip("link", "add", p.hostLink, "type", "veth", "peer", "name", p.childLink);
            p.ip("link", "set", p.childLink, "netns", p.namespace);
            p.ip("route", "add", "blackhole", p.network, "metric", "32000");
            p.ip("addr", "add", p.hostAddress + "/30", "dev", p.hostLink);
            p.ip("link", "set", p.hostLink, "up");
            p.ip("-n", p.namespace, "addr", "add", p.childAddress + "/30", "dev", p.childLink);
            p.ip("-n", p.namespace, "link", "set", p.childLink, "up");
            p.ip("-n", p.namespace, "link", "set", "lo", "up");
            log.info(
                    "Network partition {}: host {} <-> child {} ({})",
                    p.namespace,
                    p.hostAddress,
                    p.childAddress,
                    p.network);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The host end of the pair, where a server for the child listens. */
    public String hostAddress() {
        return hostAddress;
    }

    /** The child's end, inside the namespace: the address the server sees the child connect from. */
    public String childAddress() {
        return childAddress;
    }

    /** The namespace's name (for {@code ip netns exec}). */
    public String namespace() {
        return namespace;
    }

    /** {@code command} prefixed to run inside the namespace: {@code ip netns exec <namespace> ...}. */
    public List<String> command(List<String> command) {
        List<String> full = new ArrayList<>(List.of(ipBinary(), "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    /** A {@code java} command for {@code mainClass} with this JVM's class path, to run inside the namespace. */
    public List<String> javaCommand(String mainClass, String... args) {
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        java.addAll(List.of(args));
        return command(java);
    }

    /**
     * Cuts the link (the host end goes down): from now on nothing the child sends reaches the host and nothing
     * reaches the child; neither side is told.
     */
    public void cut() {
        ip("link", "set", hostLink, "down");
    }

    /** Brings the link back up after {@link #cut()}. */
    public void heal() {
        ip("link", "set", hostLink, "up");
    }

    /** Deletes the namespace (and with it the pair) and the route. Idempotent. Kill processes inside it first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs removeQuietly, which is idempotent
        }
    }

    @Override
    public String toString() {
        return "NetworkPartition[" + namespace + ", host " + hostAddress + ", child " + childAddress + "]";
    }

    private synchronized void removeQuietly() {
        quietly("netns", "del", namespace);
        quietly("link", "del", hostLink); // gone with the namespace's peer, unless the move failed
        quietly("route", "del", "blackhole", network, "metric", "32000");
    }

    private void quietly(String... args) {
        try {
            Commands.runAsSelf(withBinary(args), TIMEOUT_S);
        } catch (IOException e) {
            log.debug("ip {} (cleanup): {}", String.join(" ", args), e.getMessage());
        }
    }

    private void ip(String... args) {
        try {
            Commands.runAsSelf(withBinary(args), TIMEOUT_S);
        } catch (IOException e) {
            throw new IllegalStateException("Network partition " + namespace + ": " + e.getMessage(), e);
        }
    }

    private static List<String> withBinary(String... args) {
        List<String> full = new ArrayList<>(List.of(ipBinary()));
        full.addAll(List.of(args));
        return full;
    }

    private static String ipBinary() {
        for (String p : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "ip";
    }

    /** A {@code /30} in 198.18.0.0/15 that overlaps no address or route of the host. */
    private static int freeNetwork() {
        List<long[]> used = new ArrayList<>();
        try {
            String addrs = Commands.runAsSelf(List.of(ipBinary(), "-o", "-4", "addr", "show"), TIMEOUT_S);
            String routes = Commands.runAsSelf(List.of(ipBinary(), "-4", "route", "show", "table", "all"), TIMEOUT_S);
            for (String token : (addrs + " " + routes).split("\\s+", -1)) {
                if (token.matches("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?")) {
                    used.add(range(token));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not list the host's addresses and routes: " + e.getMessage(), e);
        }
        int first = (198 << 24) | (18 << 16);
        for (int attempt = 0; attempt < 1000; attempt++) {
            int base = first + ThreadLocalRandom.current().nextInt(1 << 15) * 4; // 2^17 addresses, /30 each
            long lo = base & 0xffffffffL;
            long hi = lo + 3;
            boolean free = used.stream().noneMatch(r -> r[0] <= hi && lo <= r[1]);
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("No free /30 in 198.18.0.0/15 on this host");
    }

    private static long[] range(String cidr) {
        String[] parts = cidr.split("/", -1);
        String[] octets = parts[0].split("\\.", -1);
        long addr = 0;
        for (String o : octets) {
            addr = (addr << 8) | Integer.parseInt(o);
        }
        int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
        long size = 1L << (32 - bits);
        long lo = addr & ~(size - 1) & 0xffffffffL;
        return new long[] {lo, lo + size - 1};
    }

    private static String ip(int addr) {
        return ((addr >>> 24) & 0xff) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "."
                + (addr & 0xff);
    }
}
