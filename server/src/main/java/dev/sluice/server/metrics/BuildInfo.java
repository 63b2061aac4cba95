package dev.sluice.server.metrics;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * What {@code sluice_build_info} reports: the server's version and source revision, from the
 * manifest of the jar this class was loaded from ({@code Implementation-Version} and
 * {@code Sluice-Revision}, the latter set with {@code -Dsluice.revision=$(git rev-parse HEAD)}
 * at package time), and the Java runtime's version. Outside a jar (tests, an IDE) or without
 * those entries, the version is "dev" and the revision "unknown".
 *
 * @param version the Maven project version, e.g. "0.1.0-SNAPSHOT"
 * @param revision the source revision the jar was built from
 * @param java the running JVM's version, e.g. "25.0.1+8-LTS"
 */
record BuildInfo(String version, String revision, String java) {
    static final String REVISION_ATTRIBUTE = "Sluice-Revision";

    /** This process's build. Reads the manifest once per call; never blocks for long. */
    static BuildInfo current() {
        Manifest m = manifest();
        Attributes a = m == null ? new Attributes() : m.getMainAttributes();
        return new BuildInfo(orElse(a.getValue(Attributes.Name.IMPLEMENTATION_VERSION), "dev"),
                orElse(a.getValue(REVISION_ATTRIBUTE), "unknown"), Runtime.version().toString());
    }

    /** {@code value}, or {@code fallback} when it is missing or an unexpanded Maven property. */
    static String orElse(String value, String fallback) {
        return value == null || value.isBlank() || value.startsWith("${") ? fallback : value.strip();
    }

    private static Manifest manifest() {
        URL self = BuildInfo.class.getResource("BuildInfo.class");
        if (self == null || !"jar".equals(self.getProtocol())) {
            return null;
        }
        try {
            URLConnection c = self.openConnection();
            c.setUseCaches(false);
            return c instanceof JarURLConnection jar ? jar.getManifest() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
