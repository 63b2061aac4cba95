package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.security.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RESP listener's SslContext from the server's TlsConfig, and its errors naming the flag. */
class RespTlsTest {
    @TempDir
    Path dir;

    private static Path tls(String name) {
        return Path.of("src/test/resources/tls", name).toAbsolutePath();
    }

    @Test
    void disabled_isPlaintext() {
        assertThat(RespTls.context(TlsConfig.DISABLED)).isNull();
    }

    @Test
    void certAndKey_makeAServerContext_mutualWithAClientCa() {
        assertThat(RespTls.context(new TlsConfig(tls("server.pem"), tls("server.key"), null)).isServer()).isTrue();
        assertThat(RespTls.context(new TlsConfig(tls("server.pem"), tls("server.key"), tls("ca.pem"))).isServer())
                .isTrue();
    }

    @Test
    void aKeyThatIsNotPem_failsNamingTheFlags() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.key"), "not a key");

        assertThatThrownBy(() -> RespTls.context(new TlsConfig(tls("server.pem"), junk, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-key " + junk);
    }

    @Test
    void aClientCaThatIsNotPem_failsNamingTheFlag() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk-ca.pem"), "not a certificate");

        assertThatThrownBy(() -> RespTls.context(new TlsConfig(tls("server.pem"), tls("server.key"), junk)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--tls-client-ca " + junk);
    }

    @Test
    void aMissingFile_failsNamingTheFlag() {
        Path missing = dir.resolve("nope.pem");

        assertThatThrownBy(() -> RespTls.context(new TlsConfig(missing, tls("server.key"), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--tls-cert " + missing + ": no such file");
    }
}
