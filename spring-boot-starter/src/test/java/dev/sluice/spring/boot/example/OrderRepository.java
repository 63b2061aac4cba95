package dev.sluice.spring.boot.example;

import java.util.List;
import org.springframework.data.repository.CrudRepository;

/** Spring Data's repository over the RESP port: HSET/HGETALL, SADD/SMEMBERS for the index. */
public interface OrderRepository extends CrudRepository<Order, String> {
    List<Order> findByCustomer(String customer);
}
