// portafx — everything: include this one header to use the library.
#pragma once

#include <portafx/async_socket.hpp>
#include <portafx/event_loop.hpp>
#include <portafx/event_loop_pool.hpp>
#include <portafx/socket.hpp>
#include <portafx/socket_address.hpp>
#include <portafx/socket_error.hpp>
#include <portafx/socket_types.hpp>
