//! Item embeddings read from the card's `item_embedding` initializer (docs/contract.md §1), for similarity.

/// Item embeddings from the card's `item_embedding` initializer, one row per id (row 0 = padding).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemEmbedding {
    dim: usize,
    values: Vec<f32>,
}

impl ItemEmbedding {
    /// Embeddings of `values.len() / dim` ids, row after row.
    pub fn new(dim: usize, values: Vec<f32>) -> ItemEmbedding {
        ItemEmbedding { dim, values }
    }

    /// Embeddings from little-endian float32 bytes (a packed model's embedding file), if they are
    /// whole rows of `dim`.
    pub fn from_le_bytes(dim: usize, bytes: &[u8]) -> Option<ItemEmbedding> {
        if dim == 0 || bytes.len() % (4 * dim) != 0 {
            return None;
        }
        let values = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Some(ItemEmbedding { dim, values })
    }

    /// The embeddings as little-endian float32 bytes, row after row.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// The width of a row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many rows (ids, padding included).
    pub fn rows(&self) -> usize {
        self.values.len() / self.dim.max(1)
    }

    /// The embedding row of an item id, if it exists.
    pub fn row(&self, item: usize) -> Option<&[f32]> {
        self.values.get(item * self.dim..(item + 1) * self.dim)
    }

    /// Cosine similarity of two items (None when either is out of range or has a zero vector).
    pub fn cosine(&self, a: usize, b: usize) -> Option<f32> {
        let (x, y) = (self.row(a)?, self.row(b)?);
        let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
        let nx = x.iter().map(|v| v * v).sum::<f32>().sqrt();
        let ny = y.iter().map(|v| v * v).sum::<f32>().sqrt();
        (nx > 0.0 && ny > 0.0).then(|| dot / (nx * ny))
    }
}
