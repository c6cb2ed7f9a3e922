//! Challenges (揭榜挂帅 / 挑战赛, issue 15 item 1): a demand published with a reward, an
//! application window, eligibility, milestones and weighted criteria; applications (揭榜) by
//! universities, institutes and enterprises; a review panel that scores them; the award, which
//! opens a connection for each winner; the public result (公示); the engine's suggested solvers;
//! the challenge funnel of the statistics.

pub mod applications;
pub mod demo;
pub mod evaluation;
pub mod handlers;
pub mod input;
pub mod lifecycle;
pub mod model;
pub mod repo;
pub mod scoring;
pub mod service;
pub mod stats;
pub mod suggestions;
