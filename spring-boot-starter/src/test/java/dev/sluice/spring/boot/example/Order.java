package dev.sluice.spring.boot.example;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.index.Indexed;

/** An order, kept as a Redis hash ("orders:ID") with a secondary index on the customer. */
@RedisHash("orders")
public record Order(@Id String id, @Indexed String customer, long cents) {}
