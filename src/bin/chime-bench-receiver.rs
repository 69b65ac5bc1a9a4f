//! `chime-bench-receiver [--port N]`: the webhook consumer `chime-bench` delivers to, in a process
//! of its own like a real consumer. It answers every `POST` with 200 and records the arrival time
//! (microseconds since the epoch, wall clock) and `webhook-id` of each; `GET /count` answers how
//! many arrived, `GET /arrivals` lists them (`id micros` per line) and `POST /reset` forgets them.
//! Prints `listening 127.0.0.1:PORT` once it accepts connections.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Default)]
struct Arrivals(Mutex<Vec<(String, i64)>>);

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

async fn hook(req: HttpRequest, _body: web::Bytes, seen: web::Data<Arrivals>) -> HttpResponse {
    // Stamped before anything else, so the receiver's own work is not counted as lag.
    let at = now_us();
    let id = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if let Ok(mut v) = seen.0.lock() {
        v.push((id, at));
    }
    HttpResponse::Ok().finish()
}

async fn count(seen: web::Data<Arrivals>) -> HttpResponse {
    let n = seen.0.lock().map(|v| v.len()).unwrap_or(0);
    HttpResponse::Ok().body(n.to_string())
}

async fn arrivals(seen: web::Data<Arrivals>) -> HttpResponse {
    let text = seen
        .0
        .lock()
        .map(|v| {
            v.iter()
                .map(|(id, at)| format!("{id} {at}\n"))
                .collect::<String>()
        })
        .unwrap_or_default();
    HttpResponse::Ok().body(text)
}

async fn reset(seen: web::Data<Arrivals>) -> HttpResponse {
    if let Ok(mut v) = seen.0.lock() {
        v.clear();
    }
    HttpResponse::Ok().finish()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                port = args.next().and_then(|p| p.parse().ok()).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "--port needs a number")
                })?
            }
            "-h" | "--help" => {
                println!("usage: chime-bench-receiver [--port N]  (records webhook arrivals; GET /count, GET /arrivals, POST /reset)");
                return Ok(());
            }
            other => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("unknown argument {other}"),
                ))
            }
        }
    }
    let seen = web::Data::new(Arrivals::default());
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(seen.clone())
            .route("/count", web::get().to(count))
            .route("/arrivals", web::get().to(arrivals))
            .route("/reset", web::post().to(reset))
            .default_service(web::post().to(hook))
    })
    // One worker: a light consumer, which leaves the cores to what is measured.
    .workers(1)
    .backlog(4096)
    .max_connections(100_000)
    .listen(listener)?
    .run();
    println!("listening {addr}");
    use std::io::Write;
    std::io::stdout().flush()?;
    server.await
}
