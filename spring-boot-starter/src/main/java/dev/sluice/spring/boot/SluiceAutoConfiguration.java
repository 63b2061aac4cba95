package dev.sluice.spring.boot;

import dev.sluice.client.SluiceClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of a {@link SluiceClient} bean from the {@code sluice.*} properties
 * ({@link SluiceProperties}), adjusted by any {@link SluiceClientCustomizer} beans. An
 * application's own {@code SluiceClient} bean replaces it. The client connects lazily, so the
 * context starts even while the server is down; the bean is closed with the context.
 */
@AutoConfiguration
@ConditionalOnClass(SluiceClient.class)
@EnableConfigurationProperties(SluiceProperties.class)
public class SluiceAutoConfiguration {

    /**
     * @throws IllegalArgumentException (failing the context's start) if a TLS file property
     *     names a file that does not exist, or the client key is set without its certificate
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public SluiceClient sluiceClient(SluiceProperties properties, ObjectProvider<SluiceClientCustomizer> customizers) {
        SluiceClient.Builder b = SluiceClient.builder(properties.getAddress())
                .defaultDeadline(properties.getDefaultDeadline());
        String token = properties.getToken();
        if (token != null && !token.isBlank()) {
            b.bearerToken(token);
        }
        SluiceProperties.Tls tls = properties.getTls();
        if (tls.isEnabled()) {
            b.tls();
        }
        if (tls.getCa() != null) {
            b.trustedCertificates(existing("sluice.tls.ca", tls.getCa()));
        }
        if (tls.getClientCertificate() != null || tls.getClientKey() != null) {
            if (tls.getClientCertificate() == null || tls.getClientKey() == null) {
                throw new IllegalArgumentException("sluice.tls.client-certificate and sluice.tls.client-key go together:"
                        + " set both or neither");
            }
            b.clientCertificate(existing("sluice.tls.client-certificate", tls.getClientCertificate()),
                    existing("sluice.tls.client-key", tls.getClientKey()));
        }
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    private static Path existing(String property, Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(property + ": cannot read " + file.toAbsolutePath());
        }
        return file;
    }
}
