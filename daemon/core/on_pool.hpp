// Runs a blocking function on the worker pool and resumes the calling
// coroutine on its own executor with the result. Keeps directory trees,
// copies and /proc scans off the io_context thread.
//
// GCC 12 destroys a lambda (or braced aggregate) temporary that appears
// inside a co_await expression twice (reproduced: a capture's destructor
// runs twice, a double free). on_pool therefore takes the function as a
// named lvalue: `auto work = [..] {..}; co_await on_pool(pool, work);`
// and a temporary does not compile.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace multicad::core {

template <class F>
auto on_pool(boost::asio::thread_pool& pool, F& f) -> boost::asio::awaitable<decltype(f())> {
  using result_type = decltype(f());
  auto work = [g = f]() mutable -> boost::asio::awaitable<result_type> { co_return g(); };
  co_return co_await boost::asio::co_spawn(pool.get_executor(), std::move(work), boost::asio::use_awaitable);
}

}  // namespace multicad::core
