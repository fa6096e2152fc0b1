package org.reconvene.cli;

import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Prints the project version and commit recorded at build time. */
final class VersionProvider implements CommandLine.IVersionProvider {
    /** {@link #getVersion()}, with "unknown" where the build facts cannot be read. */
    String[] getVersionQuietly() {
        try {
            return getVersion();
        } catch (Exception e) {
            return new String[] {"reconvene unknown"};
        }
    }

    @Override
    public String[] getVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream is = VersionProvider.class.getResourceAsStream("/reconvene-build.properties")) {
            if (is != null) {
                p.load(is);
            }
        }
        return new String[] {
            "reconvene " + p.getProperty("version", "unknown") + " (" + p.getProperty("git.commit", "unknown") + ")"
        };
    }
}
