package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {
    @TempDir
    Path dir;

    @Test
    void certWithoutKey_orClientCaWithoutCert_isRefused() {
        assertThatThrownBy(() -> new TlsConfig(dir.resolve("c"), null, null))
                .hasMessageContaining("--tls-cert and --tls-key");
        assertThatThrownBy(() -> new TlsConfig(null, null, dir.resolve("ca"))).hasMessageContaining("--tls-client-ca");
    }

    @Test
    void checkReadable_namesTheFlagAndPathOfAMissingFile() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = dir.resolve("nope.key");

        assertThatThrownBy(() -> new TlsConfig(cert, key, null).checkReadable())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--tls-key " + key + ": no such file");
        assertThatThrownBy(() -> new TlsConfig(cert, cert, dir).checkReadable())
                .hasMessage("--tls-client-ca " + dir + ": not a readable file");
    }

    @Test
    void disabled_isPlaintext() {
        assertThat(TlsConfig.DISABLED.enabled()).isFalse();
        assertThat(TlsConfig.DISABLED.checkReadable().mutual()).isFalse();
    }
}
