package dev.sluice.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The smallest Redis-protocol client {@link StateReset} needs: one blocking connection to
 * 127.0.0.1 (TLS when given a CA) that sends a command and expects {@code +OK}. Not a general
 * client: it reads only simple-string and error replies.
 */
final class RespConnection implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /**
     * Connects to 127.0.0.1:{@code port}; blocks up to 30 s.
     *
     * @param trustedCa PEM of the CA that signed the server's certificate, or null for plaintext
     * @throws UncheckedIOException if the connection or the TLS handshake fails
     */
    static RespConnection open(int port, Path trustedCa) {
        try {
            Socket s;
            if (trustedCa == null) {
                s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            } else {
                SSLSocket ssl = (SSLSocket) sslContext(trustedCa).getSocketFactory().createSocket();
                ssl.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // check the certificate names 127.0.0.1
                ssl.setSSLParameters(p);
                ssl.startHandshake();
                s = ssl;
            }
            s.setSoTimeout(TIMEOUT_MILLIS);
            return new RespConnection(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the RESP listener on 127.0.0.1:" + port, e);
        }
    }

    private static SSLContext sslContext(Path caPem) throws IOException {
        try (InputStream pem = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + caPem + " as trusted CA: " + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code args} as one command and waits for its reply.
     *
     * @throws IllegalStateException if the reply is not {@code +OK} (it is quoted; an AUTH
     *     argument is never)
     * @throws UncheckedIOException if the connection fails or times out
     */
    void expectOk(String... args) {
        try {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                frame.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                frame.writeBytes(b);
                frame.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(frame.toByteArray());
            out.flush();
            String reply = readLine();
            if (!reply.equals("+OK")) {
                throw new IllegalStateException("RESP " + args[0] + " answered '" + reply + "', expected +OK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("RESP " + args[0] + " failed", e);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed before a reply");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to recover: the commands are answered already
        }
    }
}
