package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The machine and the versions a report was measured with, read from the system, never typed in. */
final class Machine {
    private Machine() {}

    static String cpuModel() {
        return firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown (no /proc/cpuinfo)");
    }

    static String memory() {
        return firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(v -> {
                    long kb = Long.parseLong(v.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                })
                .orElse("unknown");
    }

    static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
    }

    static String java() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    /** The commit of the working tree the benchmarks run from, with "+changes" if it differs from that commit. */
    static String batonCommit() {
        String head = git("rev-parse", "--short=12", "HEAD");
        String dirty = git("status", "--porcelain", "--untracked-files=no");
        if (head.isEmpty()) {
            return "unknown (not a git work tree)";
        }
        return dirty.isEmpty() ? head : head + " +uncommitted changes";
    }

    /** The version of the jar a class was loaded from, read from its file name (every peer jar is named so). */
    static String versionOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            return "unknown";
        }
        String file = Path.of(source.getLocation().getPath()).getFileName().toString();
        String v = file.replaceAll("^.*?-(\\d[^-]*(-[A-Za-z]+)?)\\.jar$", "$1");
        return v.equals(file) ? file : v;
    }

    private static java.util.Optional<String> firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream()
                    .filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "";
            }
            return out.trim();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
