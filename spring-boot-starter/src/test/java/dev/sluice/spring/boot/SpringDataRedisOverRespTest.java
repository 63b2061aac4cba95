package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SluiceExtension;
import dev.sluice.testing.SluiceTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * The README's pairing: Spring Data Redis (Boot's auto-configured Lettuce connection and
 * StringRedisTemplate) and Spring Cache (RedisCacheManager) pointed at Sluice's RESP port with a
 * token as the password, as an application would configure them for Redis. What Spring writes is
 * what the gRPC SDK reads in database 0.
 */
class SpringDataRedisOverRespTest {
    @RegisterExtension
    static SluiceExtension sluice = SluiceExtension.with(SluiceTestServer.builder().authToken("spring-t0ken").resp(true));

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, CacheAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("spring.data.redis.host=" + sluice.server().host(),
                        "spring.data.redis.port=" + sluice.server().respPort(),
                        "spring.data.redis.password=" + sluice.server().token(),
                        "spring.cache.type=redis", "spring.cache.redis.time-to-live=60s",
                        "spring.cache.redis.key-prefix=app:");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class App {
        @Bean
        Things things() {
            return new Things();
        }
    }

    static class Things {
        private final AtomicInteger calls = new AtomicInteger();

        /** Through the proxy, which has fields of its own. */
        public int calls() {
            return calls.get();
        }

        @Cacheable("things")
        public String describe(int id) {
            calls.incrementAndGet();
            return "thing-" + id;
        }
    }

    @Test
    void stringRedisTemplate_worksAsAgainstRedis() {
        runner().run(ctx -> {
            StringRedisTemplate redis = ctx.getBean(StringRedisTemplate.class);
            redis.opsForValue().set("spring:k", "v", Duration.ofSeconds(30));
            assertThat(redis.opsForValue().get("spring:k")).isEqualTo("v");
            assertThat(redis.getExpire("spring:k")).isBetween(1L, 30L);
            assertThat(redis.opsForValue().increment("spring:n", 5)).isEqualTo(5);
            assertThat(sluice.client().cache().get("spring:k"))
                    .hasValueSatisfying(e -> assertThat(e.valueAsString()).isEqualTo("v"));

            redis.opsForList().rightPushAll("spring:l", "a", "b", "c");
            assertThat(redis.opsForList().leftPop("spring:l")).isEqualTo("a");
            assertThat(redis.opsForList().range("spring:l", 0, -1)).containsExactly("b", "c");
            redis.opsForHash().put("spring:h", "f", "1");
            assertThat(redis.opsForHash().increment("spring:h", "f", 2)).isEqualTo(3);
            assertThat(redis.opsForHash().entries("spring:h")).isEqualTo(Map.of("f", "3"));
            redis.opsForZSet().add("spring:z", "low", 1);
            redis.opsForZSet().add("spring:z", "high", 2.5);
            assertThat(redis.opsForZSet().reverseRange("spring:z", 0, 0)).containsExactly("high");
            assertThat(redis.opsForSet().add("spring:s", "x", "y", "x")).isEqualTo(2);
            assertThat(redis.opsForHyperLogLog().add("spring:hll", "a", "b", "c")).isEqualTo(1);
            assertThat(redis.opsForHyperLogLog().size("spring:hll")).isEqualTo(3);

            List<Object> tx = redis.execute(new SessionCallback<List<Object>>() {
                @Override
                @SuppressWarnings("unchecked")
                public <K, V> List<Object> execute(RedisOperations<K, V> ops) throws DataAccessException {
                    RedisOperations<String, String> o = (RedisOperations<String, String>) ops;
                    o.multi();
                    o.opsForValue().increment("spring:n");
                    o.opsForValue().get("spring:n");
                    return o.exec();
                }
            });
            assertThat(tx).containsExactly(6L, "6");
            List<Object> piped = redis.executePipelined((org.springframework.data.redis.core.RedisCallback<Object>) c -> {
                c.stringCommands().set("spring:p".getBytes(), "1".getBytes());
                c.stringCommands().get("spring:p".getBytes());
                return null;
            });
            assertThat(piped).containsExactly(true, "1");
            Long sum = redis.execute(new DefaultRedisScript<>("return redis.call('INCRBY', KEYS[1], ARGV[1])", Long.class),
                    List.of("spring:n"), "10");
            assertThat(sum).isEqualTo(16);
        });
    }

    @Test
    void springCache_onRedisCacheManager_storesInSluice_withTheTtl() {
        runner().run(ctx -> {
            Things things = ctx.getBean(Things.class);
            StringRedisTemplate redis = ctx.getBean(StringRedisTemplate.class);
            assertThat(things.describe(7)).isEqualTo("thing-7");
            // Spring Data Redis 4 writes the cache asynchronously (spring-data-redis#3348): against Redis
            // too, the entry may land after the method returns. Wait for it, bounded.
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (redis.keys("app:*").isEmpty() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(things.describe(7)).isEqualTo("thing-7");
            assertThat(things.calls()).as("the second call is served by the cache").isEqualTo(1);

            assertThat(redis.keys("app:*")).singleElement().satisfies(key -> {
                assertThat(key).contains("things").contains("7");
                assertThat(redis.getExpire(key)).isBetween(1L, 60L);
            });
        });
    }
}
